import requests
import time
import uuid
# 1. Soumettre un job
with open('audio.wav', 'rb') as f:
    response = requests.post(
        'http://localhost:8082/v1/stream/transcode',
        files={'file': f},
        data={'quality_profile': 'high'}
    )
job_id = response.json()['job_id']
# 2. Poller l'état
while True:
    response = requests.get(f'http://localhost:8082/v1/stream/job/{job_id}')
    status = response.json()
    print(f"Statut: {status['status']}, Progression: {status['progress']}%")
    if status['status'] == 'Completed':
        break
    elif status['status'].startswith('Failed'):
        raise Exception(status['error'])
    time.sleep(2)
# 3. URL du manifest
manifest_url = f'http://localhost:8082/v1/stream/hls/{job_id}/index.m3u8'
print(f"Manifest HLS: {manifest_url}")

const FormData = require('form-data');
const fs = require('fs');
const fetch = require('node-fetch');
async function transcodeAudio(filePath) {
// 1. Soumettre
const form = new FormData();
form.append('file', fs.createReadStream(filePath));
form.append('quality_profile', 'high');
const submitRes = await fetch('http://localhost:8082/v1/stream/transcode', {
method: 'POST',
body: form
});
const { job_id } = await submitRes.json();
// 2. Poller
while (true) {
const statusRes = await fetch(`http://localhost:8082/v1/stream/job/${job_id}`);
const status = await statusRes.json();
if (status.status === 'Completed') {
return `http://localhost:8082/v1/stream/hls/${job_id}/index.m3u8`;
} else if (status.status.startsWith('Failed')) {
throw new Error(status.error);
}
await new Promise(resolve => setTimeout(resolve, 2000));
}
}
// Usage
transcodeAudio('./audio.wav')
.then(manifestUrl => console.log('Manifest:', manifestUrl))
.catch(console.error);

# The seed's cURL examples, in order (job id and segment name filled in by the test).
curl -X POST http://localhost:8082/v1/stream/transcode \
-F "file=@audio.wav" \
-F "quality_profile=high" \
-F "priority=normal"

// The status-reads baseline: a bare Express app with one JSON "hello" route,
// the same Express the API uses, in its own process. Plain JS so it starts
// without a compile step. Usage: node hello-server.js <port>
'use strict';
const express = require('express');

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
app.listen(Number(process.argv[2]), '127.0.0.1');

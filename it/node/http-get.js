// An ordinary node:http client. Routed by `node -r global-agent/bootstrap` (GLOBAL_AGENT_HTTP_PROXY,
// which `egressguard run` sets); nothing in here knows about the proxy.
const http = require('node:http');
const url = process.argv[2];
http.get(url, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => { body += d; });
  res.on('end', () => { console.log(res.statusCode + ' ' + body.trim()); });
}).on('error', (e) => { console.error('error ' + e.message); process.exit(1); });

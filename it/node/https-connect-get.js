// An HTTPS GET through the proxy named by HTTPS_PROXY, with nothing but Node's own modules: the
// CONNECT by node:http, then node:tls over the tunnel, verified against Node's roots plus
// NODE_EXTRA_CA_CERTS (which `egressguard run --ca` sets). Prints "<status> <body>" or the TLS error.
const http = require('node:http');
const tls = require('node:tls');
const target = new URL(process.argv[2]);
const proxy = new URL(process.env.HTTPS_PROXY);
const port = Number(target.port || 443);
const connect = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: `${target.hostname}:${port}` });
connect.on('connect', (res, socket) => {
  if (res.statusCode !== 200) {
    console.log(`CONNECT ${res.statusCode}`);
    process.exit(2);
  }
  const s = tls.connect({ socket, servername: target.hostname, ALPNProtocols: ['http/1.1'] }, () => {
    s.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
  });
  let data = '';
  s.on('data', (d) => { data += d; });
  s.on('end', () => {
    const status = data.split(' ')[1];
    console.log(`${status} ${data.split('\r\n\r\n').slice(1).join('').trim()}`);
  });
  s.on('error', (e) => { console.log(`TLS ${e.code || e.message}`); process.exit(3); });
});
connect.on('error', (e) => { console.log(`PROXY ${e.message}`); process.exit(4); });
connect.end();

// fetch() in Node 20 ignores HTTP_PROXY; undici's EnvHttpProxyAgent reads HTTP_PROXY / HTTPS_PROXY /
// NO_PROXY (which `egressguard run` sets and clears). Installing it is the one line an operator adds.
const { EnvHttpProxyAgent, setGlobalDispatcher, fetch } = require('undici');
setGlobalDispatcher(new EnvHttpProxyAgent());
fetch(process.argv[2]).then(async (res) => {
  console.log(res.status + ' ' + (await res.text()).trim());
}).catch((e) => { console.error('error ' + e.message); process.exit(1); });

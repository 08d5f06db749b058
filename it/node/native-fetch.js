// Node's built-in fetch with no setup at all: under `egressguard run` it is routed because run sets
// NODE_USE_ENV_PROXY=1 (Node 24, 22.21+) besides HTTP(S)_PROXY. Prints "STATUS BODY", or the error
// and each of its causes (a proxy's refusal of a tunnel is in there: "Proxy response (403) ...").
fetch(process.argv[2]).then(async (res) => {
  console.log(res.status + ' ' + (await res.text()).trim());
}).catch((e) => {
  for (let c = e; c; c = c.cause) {
    console.error('error ' + c.message);
  }
  process.exit(1);
});

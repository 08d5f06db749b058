// GET a URL through a SOCKS5 proxy with socks-proxy-agent (socks5h: the proxy resolves the name).
// Usage: node socks-get.js socks5h://user:pass@127.0.0.1:1080 http://origin.test:8080/echo
const http = require("node:http");
const { SocksProxyAgent } = require("socks-proxy-agent");

const [proxy, url] = process.argv.slice(2);
const req = http.get(url, { agent: new SocksProxyAgent(proxy), timeout: 20000 }, (res) => {
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (c) => (body += c));
  res.on("end", () => {
    console.log(res.statusCode + " " + body.trim());
  });
});
req.on("error", (e) => {
  console.log("error " + e.message);
  process.exitCode = 3;
});

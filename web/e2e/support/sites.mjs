// Local servers for the browser test (127.0.0.1 only): a small website for site-audit and indexnow to crawl, and an
// IndexNow receiver that records what it was sent.
import { createServer } from "node:http";

/**
 * A site with a home page, two good pages, a broken link, a sitemap and (once `serveKey` was called) the
 * IndexNow key file. The handle has `url(path)`, `serveKey(key)` and `close()`.
 */
export async function startSite() {
  let key;
  const page = (title, body) =>
    `<!doctype html><html lang="en"><head><title>${title} — browser test site</title>` +
    `<meta name="description" content="A page of the local site the browser test crawls, with enough words for a snippet.">` +
    `<link rel="canonical" href="/"></head><body><h1>${title}</h1>${body}</body></html>`;
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const html = (status, text) => {
      response.writeHead(status, { "content-type": "text/html; charset=utf-8" });
      response.end(text);
    };
    if (key && path === `/${key}.txt`) {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(key);
    } else if (path === "/") html(200, page("Home", '<a href="/docs">Docs</a> <a href="/pricing">Pricing</a> <a href="/old-page">Old</a>'));
    else if (path === "/docs" || path === "/pricing") html(200, page(path.slice(1), '<a href="/">Home</a>'));
    else if (path === "/sitemap.xml") {
      const origin = `http://${request.headers.host}`;
      const urls = ["/", "/docs", "/pricing"].map((p) => `<url><loc>${origin}${p}</loc></url>`).join("");
      response.writeHead(200, { "content-type": "application/xml" });
      response.end(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`);
    } else html(404, page("Not found", ""));
  });
  const origin = await listen(server);
  return { url: (path) => `${origin}${path}`, serveKey: (k) => (key = k), close: () => close(server) };
}

/** An IndexNow endpoint: answers 200 and keeps every JSON body. The handle has `endpoint`, `bodies`, `close()`. */
export async function startReceiver() {
  const bodies = [];
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200);
      response.end();
    });
  });
  const origin = await listen(server);
  return { endpoint: `${origin}/indexnow`, bodies, close: () => close(server) };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

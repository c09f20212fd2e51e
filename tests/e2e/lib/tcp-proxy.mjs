// A local TCP proxy that cuts connections in the middle of uploads, as a flaky network does.
//
// startCuttingProxy({ target, cutAt }) listens on a free port of 127.0.0.1 and relays every
// connection to `target` (an http:// URL). It follows just enough HTTP/1.1 on the way in
// (request heads, Content-Length bodies) to know which bytes are the body of a PATCH that the
// server has not answered yet: "the upload's byte stream". When the count of those bytes
// reaches the next position in `cutAt` (ascending), it forwards exactly up to that byte and
// cuts that connection, both sides. Bytes of a PATCH the server already refused (a 409 or 423
// that came while the client was still sending) are not counted, so a cut always interrupts a
// transfer the server was accepting.
//
// The returned object: url (the proxy's base URL), cuts (how many cuts happened),
// uploadBytes (PATCH body bytes counted), bytesUp (all client→server bytes), close().
import net from 'node:net';

const MAX_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

export async function startCuttingProxy({ target, cutAt = [] }) {
  const to = new URL(target);
  const cuts = [...cutAt].sort((a, b) => a - b);
  const stats = { cuts: 0, uploadBytes: 0, bytesUp: 0 };
  const sockets = new Set();

  // Where the next cut falls in the chunk, as the number of its bytes to forward first, or -1.
  // Walks the chunk through the connection's request parser, counting upload bytes.
  function scan(conn, chunk) {
    let i = 0;
    while (i < chunk.length) {
      if (conn.mode === 'head') {
        const before = conn.head.length;
        conn.head = Buffer.concat([conn.head, chunk.subarray(i)]);
        const end = conn.head.indexOf(HEAD_END);
        if (end < 0) {
          if (conn.head.length > MAX_HEAD) conn.mode = 'opaque';
          return -1;
        }
        const lines = conn.head.subarray(0, end).toString('latin1').split('\r\n');
        i += end + HEAD_END.length - before;
        conn.head = Buffer.alloc(0);
        const fields = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        if (fields.has('transfer-encoding')) {
          conn.mode = 'opaque'; // not what tus clients send; relay it without counting
          return -1;
        }
        conn.upload = lines[0].startsWith('PATCH ');
        conn.answered = false;
        conn.remaining = Number(fields.get('content-length') ?? 0);
        conn.mode = conn.remaining > 0 ? 'body' : 'head';
      } else if (conn.mode === 'body') {
        const n = Math.min(conn.remaining, chunk.length - i);
        const counting = conn.upload && !conn.answered;
        if (counting && stats.cuts < cuts.length && stats.uploadBytes + n >= cuts[stats.cuts]) {
          const take = cuts[stats.cuts] - stats.uploadBytes;
          stats.uploadBytes += take;
          return i + take;
        }
        if (counting) stats.uploadBytes += n;
        conn.remaining -= n;
        i += n;
        if (conn.remaining === 0) conn.mode = 'head';
      } else {
        return -1;
      }
    }
    return -1;
  }

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: to.hostname, port: Number(to.port || 80) });
    const conn = { mode: 'head', head: Buffer.alloc(0), upload: false, answered: false, remaining: 0, cut: false };
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      sockets.delete(client);
      if (!conn.cut) upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!conn.cut) client.destroy();
    });
    client.on('error', drop);
    upstream.on('error', drop);

    client.on('data', (chunk) => {
      if (conn.cut) return;
      stats.bytesUp += chunk.length;
      const at = scan(conn, chunk);
      if (at >= 0) {
        // The cut: what came before it still reaches the server (a real network delivers
        // what it carried before it failed), then both connections end without a goodbye.
        conn.cut = true;
        stats.cuts += 1;
        client.destroy();
        upstream.end(chunk.subarray(0, at), () => upstream.destroy());
        return;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk) => {
      if (conn.cut) return;
      conn.answered = true; // the server answered: what the client still sends is not accepted upload
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get cuts() {
      return stats.cuts;
    },
    get uploadBytes() {
      return stats.uploadBytes;
    },
    get bytesUp() {
      return stats.bytesUp;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// The ports a process is about to listen on, checked before it starts anything: a taken
// port is named at once, with what it is for and the variable that moves it, instead of
// surfacing as a failure of whatever tried to bind it after everything else had started.
import { createServer } from 'node:net';

export interface WantedPort {
  port: number;
  host: string;
  /** What listens there, for the message: "the API". */
  what: string;
  /** The environment variable that sets it. */
  variable: string;
}

/** Why `port` cannot be listened on at `host`, ending where the fix starts; null when it can. */
function probe(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve('is already in use: stop what holds it, or');
      else if (err.code === 'EACCES') resolve('needs privileges this process lacks:');
      else resolve(`cannot be opened (${err.code ?? err.message}):`);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * The first problem with `wanted` as one line (a port given twice, or one that cannot be
 * listened on), or null when every port is free.
 */
export async function checkPorts(wanted: readonly WantedPort[]): Promise<string | null> {
  for (const [i, a] of wanted.entries()) {
    const b = wanted.slice(i + 1).find((other) => other.port === a.port);
    if (b) return `port ${a.port} is set for both ${a.what} (${a.variable}) and ${b.what} (${b.variable}); set one of them to another port`;
  }
  for (const w of wanted) {
    const problem = await probe(w.host, w.port);
    if (problem) return `port ${w.port} (${w.what}, on ${w.host}) ${problem} set ${w.variable} to another port`;
  }
  return null;
}

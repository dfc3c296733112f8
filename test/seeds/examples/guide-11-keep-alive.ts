// Seed 002, the guide "Run background processes", "Keep containers alive for long-running processes"; only the import and the construction changed. The test calls fetch() as the Workers runtime would (TypeScript).
import { Sandbox, parseSSEStream, type LogEvent } from 'sbx-compose'; // was: import { getSandbox, parseSSEStream, type LogEvent } from '@cloudflare/sandbox';


export { Sandbox } from 'sbx-compose';

/** Not in the seed: the Worker's bindings, which a local sandbox does not need. */
interface Env {
  Sandbox?: unknown;
}


export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // Enable keepAlive for long-running processes
    const sandbox = new Sandbox({ // was: getSandbox(env.Sandbox, 'build-job-123', {
      keepAlive: true
    });


    try {
      // Start a long-running build process
      const build = await sandbox.startProcess('npm run build:production');


      // Monitor progress
      const logs = await sandbox.streamProcessLogs(build.id);


      // Process can run indefinitely without container shutdown
      for await (const log of parseSSEStream<LogEvent>(logs)) {
        console.log(log.data);
        if (log.data.includes('Build complete')) {
          break;
        }
      }


      return new Response('Build completed');
    } finally {
      // Important: Must explicitly destroy when done
      await sandbox.destroy();
    }
  }
};

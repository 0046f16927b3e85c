/** `streamproof mock-llm`: the mock LLM on its own. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { log, timeScale } from '../run-options.ts';

export function register(program: Command): void {
  program
    .command('mock-llm')
    .description('serve the mock LLM on its own (OpenAI and Anthropic streaming endpoints), e.g. to curl it through your proxy')
    .option('--host <address...>', 'addresses to bind (never a wildcard)', ['127.0.0.1'])
    .option('--port <port>', 'port', '8000')
    .addOption(new Option('--mode <mode>', 'stateless bills every request; resumable resumes on Last-Event-ID').choices(['stateless', 'resumable']).default('stateless'))
    .option('--time-scale <factor>', 'multiply pauses and heartbeat intervals', timeScale, '1')
    .option('--script <json>', 'the stream script, e.g. \'{"tokens":40,"toolCall":{"afterTokens":10,"pauseSeconds":70},"heartbeatSeconds":15}\'', '{}')
    .action(async (options: { host: string[]; port: string; mode: 'stateless' | 'resumable'; timeScale: string; script: string }) => {
      const { MockLlm, parseStreamScript } = await import('../../mock-llm/index.ts');
      let script: unknown;
      try {
        script = JSON.parse(options.script);
      } catch {
        throw new InvalidArgumentError(`--script is not JSON: ${options.script}`);
      }
      const llm = await MockLlm.start({
        mode: options.mode,
        timeScale: Number(options.timeScale),
        hosts: options.host,
        port: Number(options.port),
        script: parseStreamScript(script),
      });
      log(`mock LLM (${options.mode}) on ${options.host.map((h) => llm.url(h)).join(', ')}: POST /v1/chat/completions, POST /v1/messages, GET /healthz`);
      const stop = () => void llm.close().finally(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

// Ollama: completions through `/api/generate` with `suffix` (Ollama lays out the FIM prompt with the model's
// template; the context ring's chunks go in front of the prefix as commented files), chat through `/api/chat`,
// both streamed as NDJSON; `/api/show` at start for the context length and whether the model can fill in the
// middle, `/api/tags` to name the models there when the configured one is missing.
import { atLineLimit, budgetOf, emptyOutput, endedEarly, fimContent, finishOutput } from './fim-stream.js';
import { commentFor } from './fim-templates.js';
import { ServerError, isAbort } from './http.js';
import type { ServerLink } from './link.js';
import { chatContent, chatMessages } from './openai-chat.js';
import { ServerBackend, type ProbeResult, type ServerDeps } from './server-base.js';
import { estimateTokens, type ChatInput, type ChatOutput, type FimInput, type FimOutput, type FimSession } from './types.js';

interface Show {
  capabilities?: string[];
  template?: string;
  parameters?: string;
  model_info?: Record<string, unknown>;
}

interface GenerateChunk {
  response?: string;
  message?: { content?: string };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  load_duration?: number;
  logprobs?: { logprob?: number }[];
  error?: string;
}

/** Ollama's default context when neither the model's parameters nor the user set one. */
const OLLAMA_DEFAULT_CTX = 4096;
const NS_PER_MS = 1e6;

export function contextOf(show: Show, configured: number): number {
  if (configured > 0) return configured;
  const param = /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters ?? '');
  if (param) return Number(param[1]);
  const trained = Object.entries(show.model_info ?? {}).find(([key]) => key.endsWith('.context_length'))?.[1];
  return Math.min(typeof trained === 'number' ? trained : OLLAMA_DEFAULT_CTX, OLLAMA_DEFAULT_CTX);
}

export class OllamaBackend extends ServerBackend {
  constructor(deps: ServerDeps) {
    super('ollama', deps);
  }

  protected async probeServer(link: ServerLink, signal: AbortSignal): Promise<ProbeResult> {
    const local = this.settings.local;
    const options = { signal, timeoutMs: this.timeoutMs };
    const version = await link.metadata<{ version?: string }>('GET', '/api/version', undefined, options);
    if (!local.model) {
      const names = await this.modelNames(link, signal);
      throw new ServerError('wrong-model', `Set tandem.local.model to the Ollama model for completions${names ? ` (this server has ${names})` : ''}.`);
    }
    const show = await this.show(link, local.model, signal);
    const insert = show.capabilities ? show.capabilities.includes('insert') : /\.Suffix/.test(show.template ?? '');
    const chatName = local.chatModel || local.model;
    const chatShow = chatName === local.model ? show : await this.show(link, chatName, signal);
    const configured = this.settings.model.contextSize;
    const contextSize = contextOf(show, configured);
    return {
      model: local.model,
      chatModel: chatName,
      contextSize,
      chatContextSize: contextOf(chatShow, configured),
      fim: insert
        ? true
        : { problem: 'no-fim', message: `${local.model} on Ollama at ${this.info.url} cannot fill in the middle (no suffix in its template), so inline completions are off. Use a coder base model such as qwen2.5-coder:1.5b-base.` },
      chat: true,
      about: `Ollama ${version.version ?? '(version unknown)'}, ${local.model} (context ${contextSize}, FIM ${insert})${chatName !== local.model ? `, chat ${chatName}` : ''}`,
    };
  }

  private async show(link: ServerLink, model: string, signal: AbortSignal): Promise<Show> {
    try {
      return await link.metadata<Show>('POST', '/api/show', { model }, { signal, timeoutMs: this.timeoutMs });
    } catch (error) {
      if (error instanceof ServerError && error.status === 404) {
        const names = await this.modelNames(link, signal).catch(() => '');
        throw new ServerError('wrong-model', `Ollama at ${this.info.url} has no model "${model}": run \`ollama pull ${model}\` there, or set tandem.local.model${names ? ` to one it has (${names})` : ''}.`, 404);
      }
      throw error;
    }
  }

  private async modelNames(link: ServerLink, signal: AbortSignal): Promise<string> {
    const tags = await link.metadata<{ models?: { name?: string }[] }>('GET', '/api/tags', undefined, { signal, timeoutMs: this.timeoutMs });
    return (tags.models ?? []).map((m) => m.name).filter(Boolean).slice(0, 12).join(', ');
  }

  protected session(link: ServerLink, probe: ProbeResult): FimSession {
    return { contextSize: probe.contextSize, complete: (input) => this.generate(link, probe, input) };
  }

  private async generate(link: ServerLink, probe: ProbeResult, input: FimInput): Promise<FimOutput> {
    const out = emptyOutput();
    if (input.signal.aborted) return { ...out, aborted: true, stop: 'abort' };
    const context = input.context.map((c) => `${commentFor(c.label)} ${c.label}\n${c.text.endsWith('\n') ? c.text : `${c.text}\n`}`).join('');
    const prompt = context + input.prefix;
    const budget = budgetOf(input);
    const body = {
      model: probe.model,
      prompt,
      suffix: input.suffix,
      stream: true,
      options: { temperature: 0, num_predict: input.prefillOnly ? 1 : input.maxTokens, ...(this.settings.model.contextSize ? { num_ctx: this.settings.model.contextSize } : {}) },
      ...(input.logprobs ? { logprobs: true } : {}),
    };
    const content = fimContent(input, [prompt, input.suffix]);
    let firstAt = 0;
    let final: GenerateChunk = {};
    const logprobs: number[] = [];
    try {
      await link.stream(content, '/api/generate', body, { signal: budget.signal, timeoutMs: budget.timeoutMs }, (line) => {
        const chunk = JSON.parse(line) as GenerateChunk;
        if (chunk.error) throw new ServerError('server-error', `Ollama failed the completion: ${chunk.error}`);
        if (!firstAt) firstAt = performance.now();
        for (const p of chunk.logprobs ?? []) if (typeof p.logprob === 'number') logprobs.push(p.logprob);
        if (chunk.response) {
          out.text += chunk.response;
          out.generatedTokens++;
        }
        if (chunk.done) {
          final = chunk;
          out.stop = chunk.done_reason === 'length' ? 'max-tokens' : 'eog';
          return false;
        }
        if (atLineLimit(out.text, input)) {
          out.stop = 'lines';
          return false;
        }
      });
    } catch (error) {
      if (endedEarly(error, input, budget) === 'abort') return { ...out, aborted: true, stop: 'abort' };
      out.stop = 'time';
    }
    finishOutput(out, input, logprobs);
    // Ollama reports the tokens it evaluated (after its cache); the prompt's size is estimated.
    out.evaluatedTokens = final.prompt_eval_count ?? 0;
    out.promptTokens = Math.max(out.evaluatedTokens, content.tokens);
    if (final.eval_count !== undefined) out.generatedTokens = final.eval_count;
    const untilFirst = (firstAt || performance.now()) - budget.started;
    if (final.done) {
      out.prefillMs = (final.prompt_eval_duration ?? 0) / NS_PER_MS;
      out.decodeMs = (final.eval_duration ?? 0) / NS_PER_MS;
      out.waitMs = Math.max(0, untilFirst - out.prefillMs - (final.load_duration ?? 0) / NS_PER_MS);
    } else {
      // Stopped before the final line (the line limit): only the client's clock is there.
      out.firstTokenMs = untilFirst;
      out.decodeMs = Math.max(0, performance.now() - budget.started - untilFirst);
    }
    return out;
  }

  protected async chatStream(link: ServerLink, probe: ProbeResult, input: ChatInput): Promise<ChatOutput> {
    const messages = chatMessages(input);
    const body = { model: probe.chatModel, messages, stream: true, options: { temperature: 0.2, num_predict: input.maxTokens } };
    const started = performance.now();
    let ttftMs: number | null = null;
    let text = '';
    let final: GenerateChunk = {};
    const content = chatContent(input, messages);
    try {
      await link.stream(content, '/api/chat', body, { signal: input.signal, timeoutMs: this.timeoutMs }, (line) => {
        const chunk = JSON.parse(line) as GenerateChunk;
        if (chunk.error) throw new ServerError('server-error', `Ollama failed while answering: ${chunk.error}`);
        const delta = chunk.message?.content;
        if (delta) {
          ttftMs ??= performance.now() - started;
          text += delta;
          input.onText(delta);
        }
        if (chunk.done) {
          final = chunk;
          return false;
        }
      });
    } catch (error) {
      if (!(input.signal.aborted && isAbort(error))) {
        if (error instanceof ServerError && error.status === 404) throw new ServerError('wrong-model', `Ollama at ${this.info.url} has no model "${probe.chatModel}": run \`ollama pull ${probe.chatModel}\` there.`, 404);
        throw error;
      }
    }
    return { text, promptTokens: final.prompt_eval_count ?? content.tokens, outputTokens: final.eval_count ?? estimateTokens(text), ttftMs };
  }
}

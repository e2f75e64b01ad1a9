// OpenAI-compatible servers (vLLM, SGLang, TGI, LM Studio): none of them accepts `suffix`, so Tandem builds the
// fill-in-the-middle prompt itself from the model family's FIM tokens (fim-templates.ts) and sends it raw to
// `/v1/completions`; chat goes to `/v1/chat/completions`. `/v1/models` at start: is the model there, and its
// context length where the server says (vLLM's max_model_len).
import { atLineLimit, budgetOf, emptyOutput, endedEarly, fimContent, finishOutput } from './fim-stream.js';
import { fimTemplateFor, type FimTemplate } from './fim-templates.js';
import { ServerError } from './http.js';
import type { ServerLink } from './link.js';
import { openAiChat, sseData } from './openai-chat.js';
import { ServerBackend, type ProbeResult, type ServerDeps } from './server-base.js';
import type { ChatInput, ChatOutput, FimInput, FimOutput, FimSession } from './types.js';

interface ModelList {
  data?: { id?: string; max_model_len?: number; context_length?: number }[];
}

interface CompletionChunk {
  choices?: { text?: string; finish_reason?: string | null; logprobs?: { token_logprobs?: (number | null)[] } | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null } | null;
  error?: { message?: string } | string;
}

const DEFAULT_CONTEXT = 4096;

export class OpenAICompatibleBackend extends ServerBackend {
  private template: FimTemplate | undefined;

  constructor(deps: ServerDeps) {
    super('openai-compatible', deps);
  }

  protected async probeServer(link: ServerLink, signal: AbortSignal): Promise<ProbeResult> {
    const local = this.settings.local;
    const list = await link.metadata<ModelList>('GET', '/models', undefined, { signal, timeoutMs: this.timeoutMs });
    const models = (list.data ?? []).filter((m) => typeof m.id === 'string');
    const names = models.map((m) => m.id as string);
    const find = (name: string) => models.find((m) => m.id === name);
    const model = local.model || names[0];
    if (!model) throw new ServerError('wrong-model', `${this.info.url} lists no models: set tandem.local.model to the model the server serves.`);
    if (names.length && !find(model)) {
      throw new ServerError('wrong-model', `${this.info.url} does not serve "${model}"; it serves ${names.slice(0, 12).join(', ')}. Set tandem.local.model to one of them.`);
    }
    const chatModel = local.chatModel || model;
    if (names.length && !find(chatModel)) {
      throw new ServerError('wrong-model', `${this.info.url} does not serve "${chatModel}" (tandem.local.chatModel); it serves ${names.slice(0, 12).join(', ')}.`);
    }
    const size = (name: string) => {
      const m = find(name);
      return m?.max_model_len ?? m?.context_length ?? (this.settings.model.contextSize || undefined);
    };
    this.template = fimTemplateFor(local.fimTemplate, model);
    return {
      model,
      chatModel,
      contextSize: size(model) ?? DEFAULT_CONTEXT,
      chatContextSize: size(chatModel),
      fim: true,
      chat: true,
      about: `${model} (FIM template ${this.template.name}${local.fimTemplate === 'auto' ? ', from the model name' : ''})${chatModel !== model ? `, chat ${chatModel}` : ''}, ${names.length} model(s) listed`,
    };
  }

  protected session(link: ServerLink, probe: ProbeResult): FimSession {
    const template = this.template ?? fimTemplateFor(this.settings.local.fimTemplate, probe.model);
    return { contextSize: probe.contextSize, complete: (input) => this.complete(link, probe, template, input) };
  }

  private async complete(link: ServerLink, probe: ProbeResult, template: FimTemplate, input: FimInput): Promise<FimOutput> {
    const out = emptyOutput();
    if (input.signal.aborted) return { ...out, aborted: true, stop: 'abort' };
    const prompt = template.build({ path: input.path, prefix: input.prefix, suffix: input.suffix, context: input.context.map((c) => ({ path: c.label, text: c.text })) });
    const budget = budgetOf(input);
    const body = {
      model: probe.model,
      prompt,
      max_tokens: input.prefillOnly ? 1 : input.maxTokens,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
      stop: template.stop,
      ...(input.logprobs ? { logprobs: 1 } : {}),
    };
    const content = fimContent(input, [prompt]);
    let firstAt = 0;
    let usage: CompletionChunk['usage'];
    let finish = '';
    const logprobs: number[] = [];
    try {
      await link.stream(content, '/completions', body, { signal: budget.signal, timeoutMs: budget.timeoutMs }, (line) => {
        const chunk = sseData<CompletionChunk>(line);
        if (chunk === 'done') return false;
        if (!chunk) return;
        if (chunk.error) throw new ServerError('server-error', `The server failed the completion: ${typeof chunk.error === 'string' ? chunk.error : chunk.error.message}`);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) return;
        if (!firstAt) firstAt = performance.now();
        for (const p of choice.logprobs?.token_logprobs ?? []) if (typeof p === 'number') logprobs.push(p);
        if (choice.text) {
          out.text += choice.text;
          out.generatedTokens++;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
        if (atLineLimit(out.text, input)) {
          out.stop = 'lines';
          return false;
        }
      });
      if (out.stop !== 'lines') out.stop = finish === 'length' ? 'max-tokens' : 'eog';
    } catch (error) {
      if (endedEarly(error, input, budget) === 'abort') return { ...out, aborted: true, stop: 'abort' };
      out.stop = 'time';
    }
    finishOutput(out, input, logprobs);
    out.promptTokens = usage?.prompt_tokens ?? content.tokens;
    // Servers with prefix caching say how much of the prompt came from it; otherwise all of it was evaluated.
    out.evaluatedTokens = out.promptTokens - (usage?.prompt_tokens_details?.cached_tokens ?? 0);
    if (usage?.completion_tokens !== undefined) out.generatedTokens = usage.completion_tokens;
    // No server-side timings in this API: the time to the first token is prefill plus the round trip.
    const untilFirst = (firstAt || performance.now()) - budget.started;
    out.firstTokenMs = untilFirst;
    out.decodeMs = Math.max(0, performance.now() - budget.started - untilFirst);
    return out;
  }

  protected chatStream(link: ServerLink, probe: ProbeResult, input: ChatInput): Promise<ChatOutput> {
    return openAiChat(link, input, { path: '/chat/completions', model: probe.chatModel, timeoutMs: this.timeoutMs });
  }
}

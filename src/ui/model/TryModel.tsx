/**
 * "Try the model" (Model tab): run the loaded engine model on a prompt in the model worker and
 * show what it does — the most probable next tokens and the greedy continuation. Meant to be
 * shown in class, so whitespace is drawn and every number is explained. A refusal or failure
 * shows here only: the loaded model, the tab and the last result stay as they were.
 */
import { type GenerateProgress, MAX_NEW_TOKENS } from '../../models/generate.ts';
import { Help } from '../common/Help.tsx';
import { useLab } from '../store.ts';
import { RunProgress } from '../sweep/RunProgress.tsx';
import { Comlink, errorMessage, modelApi } from '../worker-client.ts';
import { parseTokenCount, probText, stopText, type TryState, visibleWhitespace } from './try-state.ts';

const ERROR_TITLES: Record<NonNullable<TryState['error']>['kind'], string> = {
  'no-model': 'No model loaded',
  tokens: 'Tokens to generate out of range',
  empty: 'Empty prompt',
  'too-long': 'Prompt too long for this model',
  unencodable: 'Characters this tokenizer cannot encode',
  runtime: 'The model failed',
};

export function TryModel() {
  const prompt = useLab((s) => s.tryPrompt);
  const tokensRaw = useLab((s) => s.tryTokens);
  const set = useLab((s) => s.set);
  const info = useLab((s) => s.modelLoad.info);
  const loading = useLab((s) => s.modelLoad.status === 'loading');
  const t = useLab((s) => s.tryRun);
  const updateLive = useLab((s) => s.updateLive);
  const parsed = parseTokenCount(tokensRaw);
  const running = t.status === 'running';
  const canRun = !!info && parsed.ok && !running && !loading;

  const run = async () => {
    if (!canRun || !parsed.ok) return;
    const startedAt = Date.now();
    const asked = prompt;
    updateLive('tryRun', { status: 'running', startedAt, progress: { done: 0, total: parsed.n, label: 'reading the prompt', startedAt, updatedAt: startedAt }, live: [], error: null });
    const onProgress = Comlink.proxy((p: GenerateProgress) =>
      // A late event after the reply must not reopen a finished run.
      updateLive('tryRun', (s) =>
        s.status !== 'running'
          ? s
          : { ...s, live: [...s.live, p.token], progress: { done: p.done, total: p.total, label: `${(p.done / Math.max(p.seconds, 1e-3)).toFixed(1)} tokens/s`, startedAt, updatedAt: Date.now() } },
      ),
    );
    try {
      const r = await modelApi().generate({ prompt: asked, n: parsed.n }, onProgress);
      updateLive(
        'tryRun',
        r.ok
          ? { status: 'done', result: r.result, prompt: asked, model: r.model, progress: null, live: [] }
          : { status: 'failed', error: { kind: r.kind, message: r.message }, progress: null, live: [] },
      );
    } catch (e) {
      updateLive('tryRun', { status: 'failed', error: { kind: 'runtime', message: `The model worker stopped: ${errorMessage(e)}` }, progress: null, live: [] });
    }
  };

  const r = t.result;
  return (
    <section className="panel try-panel" aria-labelledby="try-title">
      <h2 id="try-title">Try the model</h2>
      <p className="definition" data-testid="try-explain">
        For each position the model gives every token of its vocabulary a <strong>probability of coming next</strong> (the table shows the five most likely); the{' '}
        <strong>greedy continuation</strong> appends the most likely token and repeats, so the same prompt always gives the same text.
      </p>
      <div className="try-grid">
        <div>
          <div className="field">
            <label htmlFor="try-prompt">Prompt</label>
            <textarea
              id="try-prompt"
              rows={4}
              spellCheck={false}
              value={prompt}
              aria-describedby="try-prompt-help"
              onChange={(e) => set({ tryPrompt: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run();
                }
              }}
            />
            <Help id="try-prompt-help">
              The lab's model learned to copy what it has read: after <code>again: </code> it should repeat the sequence after <code>copy: </code>. Copying what it was shown is what lets it act in context (the icl policy). Ctrl+Enter runs.
            </Help>
          </div>
          <div className="actions">
            <div className={`field narrow${parsed.ok ? '' : ' field-invalid'}`}>
              <label htmlFor="try-tokens">Tokens to generate</label>
              <input
                id="try-tokens"
                type="number"
                min={1}
                max={MAX_NEW_TOKENS}
                step={1}
                value={tokensRaw}
                aria-invalid={parsed.ok ? undefined : true}
                aria-describedby="try-tokens-help"
                onChange={(e) => set({ tryTokens: e.target.value })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void run();
                }}
              />
              <Help id="try-tokens-help">1 – {MAX_NEW_TOKENS}; generation also stops at the end-of-text token.</Help>
              {parsed.ok ? null : (
                <p className="field-error" data-testid="try-tokens-error">
                  {parsed.message}
                </p>
              )}
            </div>
            <button type="button" className="primary" disabled={!canRun} onClick={() => void run()}>
              Run
            </button>
            {!info ? <span className="note">Load a model above first.</span> : loading ? <span className="note">Wait for the load to finish.</span> : null}
          </div>
        </div>
        <div aria-live="polite">
          {running && (
            <>
              <RunProgress progress={t.progress} startedAt={t.startedAt} onCancel={() => void modelApi().cancelGenerate()} what="Generation progress" unit="tokens" testId="try-progress" />
              <Output prompt={prompt} continuation={t.live.map((x) => x.text).join('')} />
            </>
          )}
          {t.status === 'failed' && t.error ? (
            <div className="error-box" role="alert" data-testid="try-error">
              <strong data-testid="try-error-title">{ERROR_TITLES[t.error.kind]}</strong>
              <p>{t.error.message}</p>
              <p className="note">Nothing else changed: the loaded model and your settings are as they were{r ? '; the last result is shown below' : ''}.</p>
            </div>
          ) : null}
          {r && !running ? (
            <>
              <h3>Continuation</h3>
              <Output prompt={t.prompt} continuation={r.text} />
              <p className="note" data-testid="try-caption">
                {t.model}: prompt of {r.promptTokens} tokens (context {r.contextLength}) · {r.tokensPerSecond.toFixed(1)} tokens/s ({r.cached ? 'KV cache' : 'recomputed'}) · {stopText(r)}
              </p>
              {r.tokens.length > 0 && (
                <ol className="token-chips" aria-label="Continuation token by token, with the probability each had" data-testid="try-tokens">
                  {r.tokens.map((x, i) => (
                    <li key={i} title={`token ${x.id}, probability ${probText(x.prob)}`}>
                      <code>{visibleWhitespace(x.text)}</code>
                      <span className="token-prob">{probText(x.prob)}</span>
                    </li>
                  ))}
                </ol>
              )}
              <h3>Next token after the prompt</h3>
              <table className="rows try-top" data-testid="try-top">
                <caption className="visually-hidden">The five most probable next tokens after the prompt</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">token</th>
                    <th scope="col">probability</th>
                    <th scope="col" aria-hidden="true"></th>
                  </tr>
                </thead>
                <tbody>
                  {r.next.map((x, i) => (
                    <tr key={x.id}>
                      <td>{i + 1}</td>
                      <td>
                        <code>{visibleWhitespace(x.text)}</code>
                      </td>
                      <td data-testid="try-top-prob">{probText(x.prob)}</td>
                      <td className="bar-cell" aria-hidden="true">
                        <span className="prob-bar" style={{ width: `${Math.max(0, Math.min(1, x.prob)) * 100}%` }} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="help">␣ is a space, ⏎ a new line, ⇥ a tab; a token may hold several characters.</p>
            </>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** The prompt, then the continuation in another colour, as one text. */
function Output({ prompt, continuation }: { prompt: string; continuation: string }) {
  return (
    <pre className="try-output" data-testid="try-output">
      <span className="try-prompt-echo">{prompt}</span>
      <mark className="try-continuation" data-testid="try-continuation">
        {continuation}
      </mark>
    </pre>
  );
}

// The loudness-matched A/B/C player: A = the raw stem sum, B = the mix, C = the master,
// each from its compressed preview (lib/player.ts), never the 24-bit WAV. Each plays at
// the loudness of the quietest one (lib/loudness.ts), from the loudness the server
// measured on each preview file; the gain is the media element's volume. Switching
// keeps the position, so the comparison is instant and at equal loudness.
import { useEffect, useMemo, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { mediaUrl } from '../lib/api';
import { errorText } from '../lib/apiError';
import { elapsed, num, signed } from '../lib/format';
import { matchLoudness } from '../lib/loudness';
import { nextSource, playerSources, sourceForKey, type SourceId } from '../lib/player';
import type { Report } from '../lib/types';
import { ErrorBox } from '../components/common';

type PerSource<T> = Partial<Record<SourceId, T>>;

export function ABPlayer({ id, report }: { id: string; report: Report }) {
  const sources = useMemo(() => playerSources(report), [report]);
  const duration = report.master?.duration_s ?? report.mix.duration_s ?? 0;
  const [matched, setMatched] = useState(true);
  const [active, setActive] = useState<SourceId>('master');
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [error, setError] = useState('');
  const [ready, setReady] = useState(false);
  const audio = useRef<PerSource<HTMLAudioElement | null>>({});
  const waveEls = useRef<PerSource<HTMLDivElement | null>>({});
  const activeRef = useRef(active);
  activeRef.current = active;

  const gains = useMemo(() => matchLoudness(sources.map((s) => ({ id: s.id, lufs: s.lufs }))), [sources]);
  const gainOf = (sid: SourceId) => gains.gains.find((g) => g.id === sid) ?? { gainDb: 0, volume: 1 };

  // Media elements and waveforms.
  useEffect(() => {
    const ctrl = new AbortController();
    const cleanups: (() => void)[] = [];
    let cancelled = false;
    (async () => {
      try {
        for (const s of sources) {
          const { url, revoke } = await mediaUrl(id, s.kind, ctrl.signal);
          if (cancelled) return revoke();
          const el = new Audio();
          el.preload = 'auto';
          el.src = url;
          el.dataset.source = s.id;
          el.addEventListener('timeupdate', () => {
            if (activeRef.current === s.id) setTime(el.currentTime);
          });
          el.addEventListener('play', () => activeRef.current === s.id && setPlaying(true));
          el.addEventListener('pause', () => activeRef.current === s.id && setPlaying(false));
          el.addEventListener('error', () => setError(`The ${s.label.toLowerCase()} cannot be played in this browser (${el.error?.message || 'media error'}).`));
          audio.current[s.id] = el;
          (window as unknown as { __mmAudio?: Record<string, HTMLAudioElement> }).__mmAudio = {
            ...((window as unknown as { __mmAudio?: Record<string, HTMLAudioElement> }).__mmAudio ?? {}),
            [s.id]: el,
          };
          const container = waveEls.current[s.id];
          let ws: WaveSurfer | null = null;
          if (container && duration) {
            // Without peaks in the report (the stem sum) wavesurfer decodes the preview.
            const peaks = s.peaks.length > 0 ? { peaks: [s.peaks.map((v) => v ?? 0)], duration } : {};
            ws = WaveSurfer.create({
              container,
              media: el,
              ...peaks,
              height: 56,
              waveColor: s.color + '66',
              progressColor: s.color,
              cursorColor: '#e5e7eb',
              cursorWidth: 1,
              barWidth: 2,
              barGap: 1,
              barRadius: 1,
              normalize: false,
              interact: true,
            });
            ws.on('interaction', (t) => {
              // Seek both, so switching stays at the same place.
              for (const o of sources) {
                const a = audio.current[o.id];
                if (a && o.id !== s.id) a.currentTime = t;
              }
              setTime(t);
            });
          }
          cleanups.push(() => {
            el.pause();
            ws?.destroy();
            el.removeAttribute('src');
            el.load();
            revoke();
          });
        }
        setReady(true);
      } catch (e) {
        if ((e as Error).name !== 'AbortError') setError(`Cannot load the audio. ${errorText(e)}`);
      }
    })();
    return () => {
      cancelled = true;
      ctrl.abort();
      cleanups.forEach((f) => f());
      audio.current = {};
    };
  }, [id, sources, duration]);

  // Volumes: matched gains or unity.
  useEffect(() => {
    for (const s of sources) {
      const el = audio.current[s.id];
      if (el) el.volume = matched ? gainOf(s.id).volume : 1;
    }
  });

  const playPause = async () => {
    const el = audio.current[active];
    if (!el) return;
    if (el.paused) {
      try {
        await el.play();
      } catch (e) {
        setError(`Playback did not start: ${errorText(e)}`);
      }
    } else el.pause();
  };

  const select = async (next: SourceId) => {
    if (next === active) return;
    const cur = audio.current[active];
    const nxt = audio.current[next];
    setActive(next);
    activeRef.current = next;
    if (!cur || !nxt) return;
    const wasPlaying = !cur.paused;
    const t = cur.currentTime;
    cur.pause();
    nxt.currentTime = t;
    if (wasPlaying) {
      try {
        await nxt.play();
        setPlaying(true);
      } catch (e) {
        setError(`Playback did not start: ${errorText(e)}`);
      }
    }
  };

  const onKey = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    const k = e.key.toLowerCase();
    const chosen = sourceForKey(sources, k);
    if (chosen) void select(chosen);
    else if (k === 'x') void select(nextSource(sources, active));
    else if (k === ' ' && (e.target as HTMLElement).tagName !== 'BUTTON') {
      e.preventDefault();
      void playPause();
    } else return;
  };

  const ref = gains.referenceLufs;
  return (
    <section className="card player" aria-labelledby="ab-h" onKeyDown={onKey}>
      <div className="card-head">
        <h2 id="ab-h">{sources.length > 2 ? 'A/B/C: raw stems, mix, master' : 'A/B: mix vs master'}</h2>
        <label className="check small">
          <input type="checkbox" checked={matched} onChange={(e) => setMatched(e.target.checked)} />
          Loudness-matched
        </label>
      </div>
      {error && <ErrorBox onDismiss={() => setError('')}>{error}</ErrorBox>}
      <div className="transport">
        <button type="button" className="primary play" onClick={() => void playPause()} disabled={!ready} aria-label={playing ? 'Pause' : 'Play'} data-testid="play">
          {playing ? (
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path d="M7 5h3v14H7zM14 5h3v14h-3z" fill="currentColor" /></svg>
          ) : (
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path d="M8 5v14l11-7z" fill="currentColor" /></svg>
          )}
        </button>
        <div className="ab-switch" role="group" aria-label="Source">
          {sources.map((s) => (
            <button
              key={s.id}
              type="button"
              className={active === s.id ? 'on' : ''}
              aria-pressed={active === s.id}
              onClick={() => void select(s.id)}
              data-testid={`ab-${s.id}`}
            >
              <kbd>{s.key}</kbd> {s.label}
            </button>
          ))}
        </div>
        <span className="time mono" aria-label="Position">{elapsed(time * 1000)} / {elapsed((duration ?? 0) * 1000)}</span>
      </div>
      <div className="waves">
        {sources.map((s) => (
          <div key={s.id} className={`wave-row${active === s.id ? ' active' : ''}`}>
            <div className="wave-label">
              <span className="dot" style={{ background: s.color }} />
              {s.label}
              <small className="mono" title="its own loudness; the preview plays gain-matched">{num(s.sourceLufs, 1)} LUFS</small>
            </div>
            <div className="wave" ref={(el) => { waveEls.current[s.id] = el; }} aria-label={`${s.label} waveform; click to seek`} />
          </div>
        ))}
      </div>
      <p className="hint small gains" data-testid="gains">
        {matched && ref !== null
          ? <>{sources.length > 2 ? 'All' : 'Both'} play at {num(ref, 1)} LUFS: {sources.map((s) => `${s.label.toLowerCase()} ${signed(gainOf(s.id).gainDb, 1)} dB`).join(', ')}. Louder never wins; untick to hear each preview's own level.</>
          : 'Real levels: the master is louder by design.'}
        {' '}Keys: <kbd>Space</kbd> play/pause, {sources.map((s, i) => <span key={s.id}>{i > 0 ? '/' : ''}<kbd>{s.key}</kbd></span>)} choose, <kbd>X</kbd> next.
      </p>
    </section>
  );
}

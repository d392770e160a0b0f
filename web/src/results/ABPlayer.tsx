// The loudness-matched A/B player: mix (/download/mix, the WAV — the service makes no
// mix preview) against master (/download/preview, the Ogg preview of master.wav).
// Each plays at the loudness of the quieter one (see lib/loudness.ts): the gain is set
// as the media element's volume, computed from the report's integrated loudness.
// Switching keeps the position, so the comparison is instant and at equal loudness.
import { useEffect, useMemo, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { mediaUrl } from '../lib/api';
import { errorText } from '../lib/apiError';
import { elapsed, num, signed } from '../lib/format';
import { matchLoudness } from '../lib/loudness';
import type { Report } from '../lib/types';
import { ErrorBox } from '../components/common';

type SourceId = 'mix' | 'master';

interface Source {
  id: SourceId;
  key: string;
  label: string;
  kind: 'mix' | 'preview';
  lufs: number | null;
  peaks: (number | null)[];
  color: string;
}

export function ABPlayer({ id, report }: { id: string; report: Report }) {
  const sources: Source[] = useMemo(
    () => [
      { id: 'mix', key: 'A', label: 'Mix', kind: 'mix', lufs: report.mix.integrated_lufs, peaks: report.mix.waveform_peaks ?? [], color: '#60a5fa' },
      { id: 'master', key: 'B', label: 'Master', kind: 'preview', lufs: report.master?.integrated_lufs ?? null, peaks: report.master?.waveform_peaks ?? [], color: '#2dd4bf' },
    ],
    [report],
  );
  const duration = report.master?.duration_s ?? report.mix.duration_s ?? 0;
  const [matched, setMatched] = useState(true);
  const [active, setActive] = useState<SourceId>('master');
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [error, setError] = useState('');
  const [ready, setReady] = useState(false);
  const audio = useRef<Record<SourceId, HTMLAudioElement | null>>({ mix: null, master: null });
  const waveEls = useRef<Record<SourceId, HTMLDivElement | null>>({ mix: null, master: null });
  const activeRef = useRef(active);
  activeRef.current = active;

  const gains = useMemo(() => matchLoudness(sources.map((s) => ({ id: s.id, lufs: s.lufs }))), [sources]);
  const gainOf = (sid: SourceId) => gains.gains.find((g) => g.id === sid)!;

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
          if (container && s.peaks.length > 0 && duration) {
            ws = WaveSurfer.create({
              container,
              media: el,
              peaks: [s.peaks.map((v) => v ?? 0)],
              duration,
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
      audio.current = { mix: null, master: null };
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
    if (k === 'a') void select('mix');
    else if (k === 'b') void select('master');
    else if (k === 'x') void select(active === 'mix' ? 'master' : 'mix');
    else if (k === ' ' && (e.target as HTMLElement).tagName !== 'BUTTON') {
      e.preventDefault();
      void playPause();
    } else return;
  };

  const ref = gains.referenceLufs;
  return (
    <section className="card player" aria-labelledby="ab-h" onKeyDown={onKey}>
      <div className="card-head">
        <h2 id="ab-h">A/B: mix vs master</h2>
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
              <small className="mono">{num(s.lufs, 1)} LUFS</small>
            </div>
            <div className="wave" ref={(el) => { waveEls.current[s.id] = el; }} aria-label={`${s.label} waveform; click to seek`} />
          </div>
        ))}
      </div>
      <p className="hint small gains" data-testid="gains">
        {matched && ref !== null
          ? <>Both play at {num(ref, 1)} LUFS: {sources.map((s) => `${s.label.toLowerCase()} ${signed(gainOf(s.id).gainDb, 1)} dB`).join(', ')}. Louder never wins; untick to hear the real levels.</>
          : 'Real levels: the master is louder by design.'}
        {' '}Keys: <kbd>Space</kbd> play/pause, <kbd>A</kbd>/<kbd>B</kbd> choose, <kbd>X</kbd> toggle.
      </p>
    </section>
  );
}

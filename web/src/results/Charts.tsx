import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Report } from '../lib/types';
import { ISO_THIRD_OCTAVES, normalizeCurve } from '../lib/spectrum';
import { UPlotChart } from './UPlotChart';

const AXIS = { stroke: '#9aa4b2', grid: { stroke: '#ffffff14', width: 1 }, ticks: { stroke: '#ffffff22', width: 1 }, font: '11px system-ui, sans-serif' };
const FREQ_TICKS = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
const COLORS = { mix: '#60a5fa', master: '#2dd4bf', target: '#fbbf24', reference: '#f472b6' };

export function LoudnessChart({ report }: { report: Report }) {
  const { data, options } = useMemo(() => {
    const mix = report.mix.short_term_lufs_per_s ?? [];
    const master = report.master?.short_term_lufs_per_s ?? [];
    const n = Math.max(mix.length, master.length);
    const x = Array.from({ length: n }, (_, i) => i);
    const target = x.map(() => report.targets.lufs);
    const d: uPlot.AlignedData = [x, x.map((i) => mix[i] ?? null), x.map((i) => master[i] ?? null), target];
    const o: Omit<uPlot.Options, 'width' | 'height'> = {
      scales: { x: { time: false }, y: { auto: true } },
      axes: [
        { ...AXIS, label: 'time (s)', labelSize: 18 },
        { ...AXIS, label: 'LUFS (short-term)', labelSize: 18, size: 48 },
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 's' },
        { label: 'Mix', stroke: COLORS.mix, width: 2, spanGaps: false, points: { show: false } },
        { label: 'Master', stroke: COLORS.master, width: 2, spanGaps: false, points: { show: false } },
        { label: `Target ${report.targets.lufs} LUFS`, stroke: COLORS.target, width: 1.5, dash: [6, 4], points: { show: false } },
      ],
    };
    return { data: d, options: o };
  }, [report]);
  return <UPlotChart data={data} options={options} label="Short-term loudness over time of the mix and the master, with the target loudness" />;
}

export function SpectrumChart({ report }: { report: Report }) {
  const { data, options } = useMemo(() => {
    const centres = report.target_spectrum?.centres_hz ?? report.reference?.centres_hz ?? ISO_THIRD_OCTAVES;
    const n = centres.length;
    const pad = (a: (number | null)[] | undefined) => Array.from({ length: n }, (_, i) => a?.[i] ?? null);
    const series: uPlot.Series[] = [{ label: 'Hz' }];
    const d: (number | null)[][] = [];
    series.push({ label: 'Mix', stroke: COLORS.mix, width: 2 });
    d.push(normalizeCurve(centres, pad(report.mix.spectrum_third_octave_db)));
    if (report.master) {
      series.push({ label: 'Master', stroke: COLORS.master, width: 2 });
      d.push(normalizeCurve(centres, pad(report.master.spectrum_third_octave_db)));
    }
    if (report.target_spectrum) {
      const ref = report.target_spectrum.source === 'reference';
      series.push({ label: ref ? 'Target (reference)' : 'Target (preset)', stroke: ref ? COLORS.reference : COLORS.target, width: 1.5, dash: [6, 4] });
      d.push(normalizeCurve(centres, pad(report.target_spectrum.db)));
    }
    if (report.reference && report.target_spectrum?.source !== 'reference') {
      series.push({ label: 'Reference', stroke: COLORS.reference, width: 1.5, dash: [2, 3] });
      d.push(normalizeCurve(centres, pad(report.reference.db)));
    }
    const o: Omit<uPlot.Options, 'width' | 'height'> = {
      scales: { x: { time: false, distr: 3, log: 10, range: [18, 24000] }, y: { auto: true } },
      axes: [
        {
          ...AXIS,
          label: 'frequency (Hz)',
          labelSize: 18,
          splits: () => FREQ_TICKS,
          filter: (_u, splits) => splits,
          values: (_u, v) => v.map((t) => (t >= 1000 ? `${t / 1000}k` : `${t}`)),
        },
        { ...AXIS, label: 'dB (relative)', labelSize: 18, size: 48 },
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series,
    };
    return { data: [centres, ...d] as uPlot.AlignedData, options: o };
  }, [report]);
  return <UPlotChart data={data} options={options} label="Third-octave spectrum of the mix, the master and the target, each relative to its mean" />;
}

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** A uPlot chart that follows its container's width. */
export function UPlotChart({ options, data, height = 240, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth);
    const chart = new uPlot({ ...options, width, height } as uPlot.Options, data, el);
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(w - chart.width) > 2) chart.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
    };
  }, [options, data, height]);
  return <div className="chart" ref={box} role="img" aria-label={label} />;
}

// The benchmark chart as an SVG a person can open: per policy, median time per evaluation
// against request size (log-log), for the fresh-instance evaluation, a reused instance, a
// new instance per evaluation, V8 JSON.parse and the plain-TypeScript baseline; the
// fresh / JSON.parse ratio is printed at each point.
import type { MachineInfo, ValidateBench } from "./measure.js";

interface Series {
  name: string;
  color: string;
  dash?: string;
  width: number;
  value(r: ValidateBench): number | undefined;
}

const SERIES: Series[] = [
  { name: "JSON.parse (V8)", color: "#6b7280", width: 2, value: (r) => r.jsonParse.medianUs },
  { name: "TypeScript: JSON.parse + decision", color: "#d97706", width: 2, dash: "6 4", value: (r) => r.tsBaseline?.medianUs },
  { name: "new instance per evaluation", color: "#dc2626", width: 1.5, dash: "2 3", value: (r) => r.newInstance.medianUs },
  { name: "reused instance", color: "#16a34a", width: 1.5, dash: "6 3", value: (r) => r.reused.medianUs },
  { name: "fresh (as policy-server), snapshot restore", color: "#2563eb", width: 3, value: (r) => r.fresh.medianUs },
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(results: ValidateBench[], machine: MachineInfo): string {
  const policies = [...new Set(results.map((r) => r.policy))];
  const W = 1040, panelW = 420, panelH = 300, top = 70, left = 80, gap = 100;
  const H = top + panelH + 150;
  const xs = results.map((r) => r.requestBytes);
  const ys = results.flatMap((r) => SERIES.map((s) => s.value(r)).filter((v): v is number => v !== undefined && v > 0));
  const xMin = Math.log10(Math.min(...xs) / 1.5), xMax = Math.log10(Math.max(...xs) * 1.5);
  const yMin = Math.floor(Math.log10(Math.min(...ys))), yMax = Math.ceil(Math.log10(Math.max(...ys)));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Median time per validate vs request size (log-log); labels: fresh / JSON.parse</text>`);
  out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#444">${esc(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date.slice(0, 10)}`)}</text>`);
  policies.forEach((policy, pi) => {
    const x0 = left + pi * (panelW + gap), y0 = top;
    const px = (b: number) => x0 + ((Math.log10(b) - xMin) / (xMax - xMin)) * panelW;
    const py = (v: number) => y0 + panelH - ((Math.log10(v) - yMin) / (yMax - yMin)) * panelH;
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 - 8}" text-anchor="middle" font-size="14" font-weight="bold">${esc(policy)}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (let e = yMin; e <= yMax; e++) {
      const y = py(10 ** e);
      out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + panelW}" y2="${y}" stroke="#e5e7eb"/>`);
      const label = e >= 3 ? `${10 ** (e - 3)} ms` : `${10 ** e} µs`;
      out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" fill="#444">${label}</text>`);
    }
    const rs = results.filter((r) => r.policy === policy).sort((a, b) => a.requestBytes - b.requestBytes);
    for (const r of rs) {
      const x = px(r.requestBytes);
      out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + panelH}" stroke="#f3f4f6"/>`);
      out.push(`<text x="${x}" y="${y0 + panelH + 16}" text-anchor="middle" fill="#444">${esc(r.label ?? `${r.requestBytes} B`)}</text>`);
    }
    out.push(`<text x="${x0 + panelW / 2}" y="${y0 + panelH + 34}" text-anchor="middle" fill="#444">request size</text>`);
    for (const s of SERIES) {
      const pts = rs.map((r) => [r.requestBytes, s.value(r)] as const).filter((p): p is readonly [number, number] => p[1] !== undefined && p[1] > 0);
      if (pts.length === 0) continue;
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${pts.map(([b, v]) => `${px(b).toFixed(1)},${py(v).toFixed(1)}`).join(" ")}"/>`);
      for (const [b, v] of pts) out.push(`<circle cx="${px(b).toFixed(1)}" cy="${py(v).toFixed(1)}" r="${s.width + 1}" fill="${s.color}"/>`);
    }
    rs.forEach((r, i) => {
      const last = i === rs.length - 1;
      const x = px(r.requestBytes) + (last ? -8 : 6);
      out.push(`<text x="${x.toFixed(1)}" y="${(py(r.fresh.medianUs) + 18).toFixed(1)}" text-anchor="${last ? "end" : "start"}" fill="#1d4ed8" font-weight="bold">${r.ratio.median.toFixed(2)}×</text>`);
    });
  });
  const ly = top + panelH + 60;
  SERIES.forEach((s, i) => {
    const lx = left + (i % 3) * 310, y = ly + Math.floor(i / 3) * 22;
    out.push(`<line x1="${lx}" y1="${y}" x2="${lx + 36}" y2="${y}" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    out.push(`<text x="${lx + 44}" y="${y + 4}">${esc(s.name)}</text>`);
  });
  out.push(`<text x="${left}" y="${ly + 56}" fill="#444">Each point: median of interleaved samples. Blue labels: fresh / JSON.parse, ratio of medians</text>`);
  out.push(`<text x="${left}" y="${ly + 74}" fill="#444">(targets for identity-assurance: ≤ 0.5 at 20 KB, ≤ 0.25 at 1 MiB). Fresh = policy-server's semantics, here by snapshot restore.</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDateTime, formatShortDate } from '@/lib/dates';
import { formatMinor } from '@/lib/money';
import type { BalancePoint } from './balanceSeries';

/** The line chart itself (loaded lazily: recharts is large). */
export default function BalanceChart({ points, currency }: { points: BalancePoint[]; currency: string }) {
  const byValue = new Map(points.map((point) => [point.value, point.minor]));
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={points} margin={{ top: 10, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="at" tickFormatter={formatShortDate} minTickGap={24} />
        <YAxis
          width={90}
          tickFormatter={(value: number) => {
            const minor = byValue.get(value);
            return minor === undefined ? String(value) : formatMinor(minor, currency);
          }}
        />
        <Tooltip
          labelFormatter={(label) => formatDateTime(String(label))}
          formatter={(_value, _name, item) => {
            const point = item.payload as BalancePoint;
            return [formatMinor(point.minor, currency), 'Balance'];
          }}
        />
        <Line type="stepAfter" dataKey="value" stroke="#1d4ed8" strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

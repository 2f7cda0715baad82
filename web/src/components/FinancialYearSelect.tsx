/** A labelled choice of one financial year ("2026-27") among ``years``, newest first. */
export function FinancialYearSelect({
  id,
  years,
  value,
  onChange,
}: {
  id: string;
  years: readonly string[];
  value: string;
  onChange: (year: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Financial year</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {years.map((year) => (
          <option key={year} value={year}>
            {year}
          </option>
        ))}
      </select>
    </div>
  );
}

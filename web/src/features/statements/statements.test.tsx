import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureDownloads, readBlob, type SavedFile } from '@/test/downloads';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { tx } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { lastThirtyDays, periodError } from './period';

const user = userEvent.setup({ delay: null });

const statement = {
  from: '2026-11-01T00:00:00Z',
  to: '2026-12-01T00:00:00Z',
  currency: 'INR',
  opening: { deposit: 0, winnings: 0, bonus: 0, total: 0 },
  closing: { deposit: 0, winnings: 1700, bonus: 50.5, total: 1750.5 },
  transactions: [
    { ...tx({ _id: 'st_1', type: 'topup', amount: 1000, fund: 'deposit', balanceAfter: 1000, description: 'Top-up' }),
      fundsAfter: { deposit: 1000, winnings: 0, bonus: 0 } },
    { ...tx({ _id: 'st_2', type: 'bonus', amount: 50.5, fund: 'bonus', balanceAfter: 1050.5, description: 'Welcome' }),
      fundsAfter: { deposit: 1000, winnings: 0, bonus: 50.5 } },
    { ...tx({ _id: 'st_3', type: 'entryFee', amount: -1000, fund: 'deposit', balanceAfter: 50.5, description: 'Entry: cup' }),
      fundsAfter: { deposit: 0, winnings: 0, bonus: 50.5 } },
    { ...tx({ _id: 'st_4', type: 'reward', amount: 1700, fund: 'winnings', balanceAfter: 1750.5, description: 'Reward: final' }),
      fundsAfter: { deposit: 0, winnings: 1700, bonus: 50.5 } },
  ],
  totals: [
    { type: 'topup', credits: 1000, debits: 0, count: 1 },
    { type: 'bonus', credits: 50.5, debits: 0, count: 1 },
    { type: 'entryFee', credits: 0, debits: -1000, count: 1 },
    { type: 'reward', credits: 1700, debits: 0, count: 1 },
  ],
  truncated: false,
};

const taxStatement = {
  fy: '2026-27',
  currency: 'INR',
  pan: 'XXXXXX234F',
  tdsRate: 30,
  openingBalance: 0,
  deposits: 1000,
  withdrawals: 1200,
  netWinnings: 200,
  tds: 60,
  entries: [{ payoutId: 'po_77', date: '2026-11-20T10:00:00Z', amount: 1200, netWinnings: 200, tds: 60, status: 'captured' }],
  yearEnd: null,
};

function fileReply(body: string, type: string, filename: string): Response {
  return new Response(body, { status: 200, headers: { 'Content-Type': type, 'Content-Disposition': `attachment; filename="${filename}"` } });
}

describe('statement period', () => {
  it('defaults to the last 30 days and refuses an empty or reversed range', () => {
    expect(lastThirtyDays(new Date(2026, 11, 2, 15, 0))).toEqual({ from: '2026-11-02', to: '2026-12-02' });
    expect(lastThirtyDays(new Date(2026, 2, 1))).toEqual({ from: '2026-01-30', to: '2026-03-01' });
    expect(periodError({ from: '2026-11-02', to: '2026-11-01' })).toBe('The start date must not be after the end date.');
    expect(periodError({ from: '', to: '2026-11-01' })).toBe('Enter both dates.');
    expect(periodError({ from: '2026-11-01', to: '2026-11-01' })).toBeNull();
  });
});

describe('statement page', () => {
  let saved: SavedFile[];
  beforeEach(() => {
    saved = captureDownloads();
  });
  afterEach(() => vi.restoreAllMocks());

  const stubs = (calls: StubCall[], reply: (call: StubCall) => Response = () => ok(statement)) => ({
    'GET /api/auth/me': () => ok({ user: player }),
    'GET /api/wallet/statement': (call: StubCall) => {
      calls.push(call);
      return reply(call);
    },
  });

  it('shows balances per fund, transactions with running balances and totals by type for the chosen period', async () => {
    const calls: StubCall[] = [];
    stubFetch(stubs(calls));
    renderRoute('/wallet/statements', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Statement', level: 1 })).toBeInTheDocument();
    const defaults = lastThirtyDays(new Date());
    expect(screen.getByLabelText('From')).toHaveValue(defaults.from);
    expect(screen.getByLabelText('To')).toHaveValue(defaults.to);
    expect(await screen.findByTestId('closing-total')).toHaveTextContent('₹1,750.50');
    expect(calls[0]?.search.get('from')).toBe(defaults.from);
    expect(calls[0]?.search.get('to')).toBe(defaults.to);
    expect(calls[0]?.search.get('format')).toBe('json');
    expect(calls[0]?.headers.get('Authorization')).toBe('Bearer test-token');
    expect(screen.getByTestId('opening-deposit')).toHaveTextContent('₹0.00');
    expect(screen.getByTestId('closing-winnings')).toHaveTextContent('₹1,700.00');
    expect(screen.getByTestId('closing-bonus')).toHaveTextContent('₹50.50');

    const rows = within(screen.getByRole('table', { name: 'Statement transactions' })).getAllByRole('row').slice(1);
    const cells = rows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(cells.map((row) => row.slice(1, 5))).toEqual([
      ['Top-up', 'Deposit', 'Top-up', '₹1,000.00'],
      ['Bonus', 'Bonus', 'Welcome', '₹50.50'],
      ['Entry fee', 'Deposit', 'Entry: cup', '-₹1,000.00'],
      ['Reward', 'Winnings', 'Reward: final', '₹1,700.00'],
    ]);
    expect(cells[2]?.[5]).toBe('₹50.50Deposit ₹0.00 · Winnings ₹0.00 · Bonus ₹50.50');
    expect(cells[3]?.[5]).toContain('₹1,750.50');

    const totals = within(screen.getByRole('table', { name: 'Totals by type' })).getAllByRole('row').slice(1);
    expect(totals.map((row) => row.textContent)).toEqual([
      'Top-up1₹1,000.00₹0.00',
      'Bonus1₹50.50₹0.00',
      'Entry fee1₹0.00-₹1,000.00',
      'Reward1₹1,700.00₹0.00',
    ]);

    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-10-01');
    await user.clear(screen.getByLabelText('To'));
    await user.type(screen.getByLabelText('To'), '2026-10-31');
    await user.click(screen.getByRole('button', { name: 'Show statement' }));
    await waitFor(() => expect(calls.at(-1)?.search.get('from')).toBe('2026-10-01'));
    expect(calls.at(-1)?.search.get('to')).toBe('2026-10-31');
  });

  it('refuses a reversed period without asking, and shows the server refusal', async () => {
    const calls: StubCall[] = [];
    stubFetch(stubs(calls, (call) =>
      call.search.get('from') === '2026-10-01' ? fail(400, 'from must not be after to', 'INVALID_RANGE') : ok(statement)));
    renderRoute('/wallet/statements', { signedIn: true });
    await screen.findByTestId('closing-total');
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-12-31');
    await user.clear(screen.getByLabelText('To'));
    await user.type(screen.getByLabelText('To'), '2026-12-01');
    await user.click(screen.getByRole('button', { name: 'Show statement' }));
    expect(screen.getByRole('alert')).toHaveTextContent('The start date must not be after the end date.');
    expect(calls).toHaveLength(1);
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '2026-10-01');
    await user.click(screen.getByRole('button', { name: 'Show statement' }));
    expect(await screen.findByText('from must not be after to')).toBeInTheDocument();
  });

  it('says when the statement is cut short', async () => {
    stubFetch(stubs([], () => ok({ ...statement, truncated: true })));
    renderRoute('/wallet/statements', { signedIn: true });
    expect(await screen.findByText(/more transactions than one statement shows/)).toBeInTheDocument();
  });

  it('downloads the CSV and the PDF with the bearer token under the server-given names', async () => {
    const calls: StubCall[] = [];
    stubFetch(stubs(calls, (call) => {
      const format = call.search.get('format');
      if (format === 'csv') return fileReply('Date,Type,Amount\r\n2026-11-01,Top-up,1000.00\r\n', 'text/csv', 'statement-2026-11.csv');
      if (format === 'pdf') return fileReply('%PDF-1.4 test', 'application/pdf', 'statement-2026-11.pdf');
      return ok(statement);
    }));
    renderRoute('/wallet/statements', { signedIn: true });
    await screen.findByTestId('closing-total');
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    await user.click(screen.getByRole('button', { name: 'Download PDF' }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved.map((file) => file.filename)).toEqual(['statement-2026-11.csv', 'statement-2026-11.pdf']);
    expect(await readBlob(saved[0]!.blob)).toBe('Date,Type,Amount\r\n2026-11-01,Top-up,1000.00\r\n');
    expect(await readBlob(saved[1]!.blob)).toBe('%PDF-1.4 test');
    const files = calls.filter((call) => call.search.get('format') !== 'json');
    expect(files.map((call) => call.search.get('format'))).toEqual(['csv', 'pdf']);
    expect(files.every((call) => call.headers.get('Authorization') === 'Bearer test-token')).toBe(true);
    expect(files[0]?.search.get('from')).toBe(calls[0]?.search.get('from'));
  });

  it('shows a failed download as an alert and saves nothing', async () => {
    stubFetch(stubs([], (call) =>
      call.search.get('format') === 'pdf' ? fail(503, 'Statements are unavailable', 'SERVICE_UNAVAILABLE') : ok(statement)));
    renderRoute('/wallet/statements', { signedIn: true });
    await screen.findByTestId('closing-total');
    await user.click(screen.getByRole('button', { name: 'Download PDF' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Statements are unavailable');
    expect(saved).toHaveLength(0);
  });
});

describe('tax statement page', () => {
  let saved: SavedFile[];
  beforeEach(() => {
    saved = captureDownloads();
  });
  afterEach(() => vi.restoreAllMocks());

  it('shows the year’s figures, masked PAN and withdrawals, for the financial year chosen', async () => {
    const calls: StubCall[] = [];
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet/tax-statement': (call) => {
        calls.push(call);
        const fy = call.search.get('fy') ?? '';
        return ok(fy === '2026-27' ? taxStatement : { ...taxStatement, fy, pan: null, withdrawals: 0, netWinnings: 0, tds: 0, entries: [],
          yearEnd: { closingBalance: 500, netWinnings: 100, tds: 30, closedAt: '2026-04-02T00:00:00Z', nextOpeningBalance: 470 } });
      },
    });
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-02T10:00:00Z') });
    renderRoute('/wallet/tax-statement', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Tax statement', level: 1 })).toBeInTheDocument();
    const select = screen.getByLabelText('Financial year');
    expect(select).toHaveValue('2026-27');
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['2026-27', '2025-26', '2024-25', '2023-24']);
    expect(await screen.findByTestId('tax-net-winnings')).toHaveTextContent(/^₹200\.00$/);
    expect(screen.getByTestId('tax-tds')).toHaveTextContent(/^₹60\.00$/);
    expect(screen.getByTestId('tax-withdrawals')).toHaveTextContent(/^₹1,200\.00$/);
    expect(screen.getByTestId('tax-deposits')).toHaveTextContent(/^₹1,000\.00$/);
    expect(screen.getByTestId('tax-opening')).toHaveTextContent(/^₹0\.00$/);
    expect(screen.getByTestId('tax-pan')).toHaveTextContent('XXXXXX234F');
    expect(screen.getByText('30%')).toBeInTheDocument();
    const row = within(screen.getByRole('table', { name: 'Withdrawals in the year' })).getAllByRole('row')[1]!;
    expect(within(row).getAllByRole('cell').slice(1).map((c) => c.textContent)).toEqual(['po_77', '₹1,200.00', '₹200.00', '₹60.00', 'captured']);
    expect(calls[0]?.search.get('fy')).toBe('2026-27');
    vi.useRealTimers();

    await user.selectOptions(select, '2025-26');
    expect(await screen.findByTestId('tax-year-end')).toHaveTextContent('net winnings at year end ₹100.00, TDS ₹30.00');
    expect(screen.getByTestId('tax-pan')).toHaveTextContent('Not on file');
    expect(screen.getByText('No withdrawals in this year.')).toBeInTheDocument();
    expect(calls.at(-1)?.search.get('fy')).toBe('2025-26');

    await user.click(screen.getByRole('button', { name: 'Download PDF' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]?.filename).toBe('winzone-tax-statement-2025-26.pdf');
    const file = calls.at(-1)!;
    expect([file.search.get('fy'), file.search.get('format'), file.headers.get('Authorization')]).toEqual(['2025-26', 'pdf', 'Bearer test-token']);
  });

  it('shows the refusal as an alert', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet/tax-statement': () => fail(400, 'fy must look like 2026-27', 'INVALID_FINANCIAL_YEAR'),
    });
    renderRoute('/wallet/tax-statement', { signedIn: true });
    expect(await screen.findByRole('alert')).toHaveTextContent('fy must look like 2026-27');
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { page, tx } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { csvCell } from '@/lib/csv';
import { transactionsCsv } from './csv';

const user = userEvent.setup({ delay: null });

function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe('CSV cells', () => {
  it('neutralises formulas but keeps numbers, and quotes separators', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('-500.00')).toBe('-500.00');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
  });

  it('writes exact amounts and an integer-summed total per currency', () => {
    const rows = [
      tx({ _id: 'a', amount: 0.1, balanceAfter: 0.1, description: '=cmd|calc' }),
      tx({ _id: 'b', amount: 0.2, balanceAfter: 0.3 }),
      tx({ _id: 'c', amount: -0.3, balanceAfter: 0, type: 'payout' }),
      tx({ _id: 'd', amount: 1000.5, currency: 'USD', balanceAfter: 1000.5 }),
    ];
    const lines = transactionsCsv(rows).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Date,Transaction ID,User ID,Type,Description,Amount,Currency,Status,Balance after');
    expect(lines[1]).toContain(",a,u_player_1,Top-up,'=cmd|calc,0.10,INR,Completed,0.10");
    expect(lines[3]).toContain(',c,u_player_1,Payout,Top-up,-0.30,INR,Completed,0.00');
    expect(lines[5]).toBe('Total,,,,3 transactions,0.00,INR,,');
    expect(lines[6]).toBe('Total,,,,1 transactions,1000.50,USD,,');
  });
});

describe('transactions page', () => {
  const handlers = (calls: { list: StubCall[] }) => ({
    'GET /api/auth/me': () => ok({ user: player }),
    'GET /api/transactions/my': (call: StubCall) => {
      calls.list.push(call);
      const pageNumber = Number(call.search.get('page') ?? '1');
      const limit = Number(call.search.get('limit') ?? '20');
      const total = 45;
      const start = (pageNumber - 1) * limit;
      const rows = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) =>
        tx({ _id: `row_${start + i + 1}`, description: `Row ${start + i + 1}`, amount: 0.1 }),
      );
      return ok(rows, page(pageNumber, total, limit));
    },
  });

  it('filters by type and status with the API values and pages with Previous/Next', async () => {
    const calls = { list: [] as StubCall[] };
    stubFetch(handlers(calls));
    renderRoute('/wallet/transactions', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Transactions' })).toBeInTheDocument();
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Date', 'Type', 'Fund', 'Description', 'Amount', 'Status',
    ]);
    expect(await screen.findByRole('link', { name: 'Row 1' })).toHaveAttribute('href', '/wallet/transactions/row_1');
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();

    const typeSelect = screen.getByLabelText('Type');
    expect(within(typeSelect).getAllByRole('option')[0]).toHaveTextContent('All');
    await user.selectOptions(typeSelect, 'reward');
    await user.selectOptions(screen.getByLabelText('Status'), 'pending');
    await waitFor(() => {
      const last = calls.list[calls.list.length - 1];
      expect(last?.search.get('type')).toBe('reward');
      expect(last?.search.get('status')).toBe('pending');
      expect(last?.search.get('page')).toBe('1');
    });

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'Row 21' })).toBeInTheDocument();
    expect(calls.list[calls.list.length - 1]?.search.get('page')).toBe('2');
    expect(calls.list[calls.list.length - 1]?.search.get('type')).toBe('reward');
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'Row 41' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
  });

  describe('Export CSV', () => {
    let blobs: Blob[];
    beforeEach(() => {
      blobs = [];
      URL.createObjectURL = vi.fn((blob: Blob) => {
        blobs.push(blob);
        return 'blob:test';
      }) as typeof URL.createObjectURL;
      URL.revokeObjectURL = vi.fn();
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    });
    afterEach(() => vi.restoreAllMocks());

    it('downloads every filtered page with an exact total', async () => {
      const calls = { list: [] as StubCall[] };
      stubFetch(handlers(calls));
      renderRoute('/wallet/transactions?type=topup', { signedIn: true });
      await screen.findByRole('link', { name: 'Row 1' });
      calls.list.length = 0;
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(blobs).toHaveLength(1));
      expect(calls.list.map((c) => [c.search.get('page'), c.search.get('limit'), c.search.get('type')])).toEqual([
        ['1', '100', 'topup'],
      ]);
      const text = await readBlob(blobs[0]!);
      const lines = text.trimEnd().split('\r\n');
      expect(lines).toHaveLength(1 + 45 + 1);
      expect(lines[lines.length - 1]).toBe('Total,,,,45 transactions,4.50,INR,,');
    });

    it('follows pagination to the last page', async () => {
      const seen: string[] = [];
      stubFetch({
        'GET /api/auth/me': () => ok({ user: player }),
        'GET /api/transactions/my': (call) => {
          const pageNumber = Number(call.search.get('page') ?? '1');
          seen.push(`${pageNumber}/${call.search.get('limit')}`);
          const limit = Number(call.search.get('limit'));
          const total = 250;
          const rows = Array.from({ length: Math.min(limit, total - (pageNumber - 1) * limit) }, () => tx({ amount: 0.01 }));
          return ok(rows, page(pageNumber, total, limit));
        },
      });
      renderRoute('/wallet/transactions', { signedIn: true });
      await screen.findByRole('table');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(blobs).toHaveLength(1));
      expect(seen.slice(1)).toEqual(['1/100', '2/100', '3/100']);
      const lines = (await readBlob(blobs[0]!)).trimEnd().split('\r\n');
      expect(lines[lines.length - 1]).toBe('Total,,,,250 transactions,2.50,INR,,');
    });
  });

  it('shows the fund of each row, or the split of an entry fee drawn on several, and the new types', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/transactions/my': () =>
        ok([
          tx({ _id: 'f1', type: 'entryFee', amount: -100, fund: null, funds: { deposit: -90, winnings: 0, bonus: -10 }, description: 'Entry' }),
          tx({ _id: 'f2', type: 'bonusExpired', amount: -5, fund: 'bonus', description: '' }),
          tx({ _id: 'f3', type: 'platformFee', amount: 10, fund: null, funds: null, description: 'Fee' }),
        ], page(1, 3)),
    });
    renderRoute('/wallet/transactions', { signedIn: true });
    const table = await screen.findByRole('table');
    await within(table).findByRole('link', { name: 'Entry' });
    const rows = within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent));
    expect(rows.map((row) => row.slice(1, 4))).toEqual([
      ['Entry fee', 'Deposit -₹90.00 · Bonus -₹10.00', 'Entry'],
      ['Bonus expired', 'Bonus', 'Bonus expired'],
      ['Platform fee', '—', 'Fee'],
    ]);
  });

  it('shows one transaction under the heading "Transaction", and a 404 as an alert', async () => {
    const one = tx({ _id: 'tx_detail', amount: -250.75, type: 'entryFee', description: 'Entry: cup', status: 'completed' });
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/transactions/:id': (_call, params) =>
        params.id === 'tx_detail' ? ok(one) : fail(404, 'Transaction not found', 'NOT_FOUND'),
    });
    const { unmount } = renderRoute('/wallet/transactions/tx_detail', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Transaction' })).toBeInTheDocument();
    expect(await screen.findByTestId('transaction-amount')).toHaveTextContent('-₹250.75');
    expect(screen.getByText('Entry: cup')).toBeInTheDocument();
    unmount();
    renderRoute('/wallet/transactions/someone-elses', { signedIn: true });
    expect(await screen.findByRole('alert')).toHaveTextContent('Transaction not found');
  });
});

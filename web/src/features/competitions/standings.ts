import type { Entry, Standing } from './api';

/** One row of the distribute form, as typed. */
export interface StandingRow {
  userId: string;
  rank: string;
}

export const MATCH_NAME = /^[A-Za-z0-9.-]+$/;
export const MAX_MATCH_ID = 64;

/** The REST match id of a match of a competition: `<name>@<competitionId>` (the API binds it to that competition). */
export function matchIdFor(name: string, competitionId: string): string {
  return `${name.trim()}@${competitionId}`;
}

/** One row per entrant, ranked 1..n in entry order. */
export function rowsFromEntrants(entries: Entry[]): StandingRow[] {
  return entries.map((entry, index) => ({ userId: entry.userId, rank: String(index + 1) }));
}

export type StandingsCheck = { ok: true; matchId: string; standings: Standing[] } | { ok: false; message: string };

/** The match name and rows checked the way the API checks them. */
export function checkStandings(name: string, rows: StandingRow[], competitionId: string): StandingsCheck {
  const trimmed = name.trim();
  if (!MATCH_NAME.test(trimmed)) {
    return { ok: false, message: "Enter a match name of letters, digits, '.' or '-'." };
  }
  const matchId = matchIdFor(trimmed, competitionId);
  if (matchId.length > MAX_MATCH_ID) {
    return { ok: false, message: `The match name is too long: the match id may have ${MAX_MATCH_ID} characters at most.` };
  }
  if (rows.length === 0) return { ok: false, message: 'Add at least one standing.' };
  const standings: Standing[] = [];
  const seen = new Set<string>();
  for (const [index, row] of rows.entries()) {
    const userId = row.userId.trim();
    if (userId === '') return { ok: false, message: `Enter the user ID of standing ${index + 1}.` };
    if (seen.has(userId)) return { ok: false, message: `User ${userId} appears more than once.` };
    seen.add(userId);
    if (!/^[1-9]\d{0,8}$/.test(row.rank.trim())) {
      return { ok: false, message: `Rank ${index + 1} must be a whole number from 1.` };
    }
    standings.push({ userId, rank: Number(row.rank.trim()) });
  }
  return { ok: true, matchId, standings };
}

import type { RouteObject } from 'react-router';
import { CompetitionPage } from './CompetitionPage';
import { CompetitionsPage } from './CompetitionsPage';
import { NewCompetitionPage } from './NewCompetitionPage';

export const competitionRoutes: RouteObject[] = [
  { path: '/competitions', element: <CompetitionsPage /> },
  { path: '/competitions/new', element: <NewCompetitionPage /> },
  { path: '/competitions/:id', element: <CompetitionPage /> },
];

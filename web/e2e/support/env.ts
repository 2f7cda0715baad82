/** Where the stack under test is and who its development admin is (set by tests/e2e/test_web_browser.py). */

export function stackUrl(): string {
  return (process.env.WINZONE_URL ?? 'http://localhost:5000').replace(/\/+$/, '');
}

export interface Credentials {
  email: string;
  password: string;
}

export function adminCredentials(): Credentials {
  const email = process.env.WINZONE_ADMIN_EMAIL;
  const password = process.env.WINZONE_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error('WINZONE_ADMIN_EMAIL and WINZONE_ADMIN_PASSWORD must name the stack\'s admin (winzone up prints them)');
  }
  return { email, password };
}

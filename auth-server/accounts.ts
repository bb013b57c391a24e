// Demo users. Email is the subject identifier; region scopes what the portfolio API shows them.
export interface Account {
  email: string;
  name: string;
  region: string;
}

export const demoAccounts: Account[] = [
  { email: 'alice@demo.example', name: 'Alice Andersen', region: 'USA' },
  { email: 'bob@demo.example', name: 'Bob Bauer', region: 'EU' },
];

const byEmail = new Map(demoAccounts.map((a) => [a.email, a]));

export function findAccountByEmail(email: string): Account | undefined {
  return byEmail.get(email.trim().toLowerCase());
}

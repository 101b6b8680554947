const DAY_MS = 86_400_000;

/** X.509 times have whole seconds; rounding first keeps the registry's dates equal to the certificate's. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export function addYears(date: Date, years: number): Date {
  const later = new Date(date);
  later.setUTCFullYear(later.getUTCFullYear() + years);
  return later;
}

/** Certificates start a little in the past so a peer whose clock runs slow still accepts them. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/** A catalogue entry: the HTTP status it is sent with and a short, fixed title. */
export type ProblemSpecs = Record<string, { status: number; title: string }>;

/** Types for ensure-build.mjs, so the e2e global setup (TypeScript) can call it. */
export declare const root: string;
export declare function staleReason(): string | null;
export declare function ensureBuild(): void;

// Compiles only if the types generated from openapi/openapi.json describe the API as used here:
// `make lint` regenerates schema.d.ts, then runs `tsc --noEmit`.
import type { components, paths } from "./schema";

type ScheduleRequest = components["schemas"]["ScheduleRequest"];
type Schedules = paths["/v1/schedules"]["post"];
type ScheduleResponse = Schedules["responses"][200]["content"]["application/json"];
type Problem = Schedules["responses"][422]["content"]["application/problem+json"];

// the case study's loan (SPEC §10): amounts and rates are decimal strings
export const loan: ScheduleRequest = {
  principal: "12000.00",
  term_months: 5,
  method: "equal_installment",
  start_date: "2026-01-15",
  daily_rate: "0.0005",
};

export function monthlyPayment(schedule: ScheduleResponse): string {
  return schedule.installment_amount;
}

export function firstDueDate(schedule: ScheduleResponse): string | undefined {
  return schedule.installments[0]?.due_date;
}

export function describe(problem: Problem): string {
  const fields = (problem.errors ?? []).map((error) => error.loc.join("."));
  return `${problem.status} ${problem.title}: ${problem.detail} ${fields.join(", ")}`;
}

/**
 * Trial length of a signup subscription. The cap is the plan's `trial_days` when the plan was
 * found, else SIGNUP_DEFAULT_TRIAL_DAYS; a requested value is honoured only with
 * ALLOW_SIGNUP_TRIAL_OVERRIDE and never above the cap. Null means no trial.
 */
export function selectTrialDays(options: {
  planTrialDays: number | null;
  defaultTrialDays: number;
  overrideAllowed: boolean;
  requested: number | null | undefined;
}): number | null {
  const cap = options.planTrialDays ?? options.defaultTrialDays;
  if (!options.overrideAllowed || options.requested === null || options.requested === undefined) {
    return cap > 0 ? cap : null;
  }
  const chosen = Math.min(options.requested, cap > 0 ? cap : 0);
  return chosen > 0 ? chosen : null;
}

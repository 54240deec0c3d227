/**
 * The services every door uses, built once per process from the infrastructure the composition
 * root hands in. Doors call these; these call Temporal and the infrastructure.
 */
import { auditService } from './audit';
import type { ServiceDeps } from './context';
import { importService } from './import';
import { linkService } from './links';
import { monitoringService } from './monitoring';
import { userService } from './users';
import { visitService } from './visits';

export function createServices(deps: ServiceDeps) {
  const audit = auditService(deps.store, deps.now ?? Date.now);
  const visits = visitService(deps, audit);
  return {
    /** The effective policy (read when first asked: a CLI command that needs none does not fail on it). */
    get policy() {
      return deps.policy;
    },
    audit,
    visits,
    imports: importService(deps, audit),
    links: linkService(deps, audit, visits),
    users: userService(deps),
    monitoring: monitoringService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;

export type { Caller, CallerDoor, Operator, ServiceDeps } from './context';
export { AppError, ERRORS, EXIT, toAppError, type ErrorCode } from './errors';

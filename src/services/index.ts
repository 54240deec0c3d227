/**
 * The services every door uses, built once per process from the infrastructure the composition
 * root hands in. Doors call these; these call Temporal and the infrastructure.
 */
import { AuditService } from './audit';
import { CalendarService } from './calendar';
import type { ServiceDeps } from './context';
import { DocumentService } from './documents';
import { ImportService } from './import';
import { LinkService } from './links';
import { MonitoringService } from './monitoring';
import { OperationsService } from './operations';
import { RecommendationService } from './recommendations';
import { UserService } from './users';
import { VisitService } from './visits';

export class Services {
  readonly audit: AuditService;
  readonly visits: VisitService;
  readonly imports: ImportService;
  readonly links: LinkService;
  readonly users: UserService;
  readonly monitoring: MonitoringService;
  readonly calendar: CalendarService;
  readonly recommendations: RecommendationService;
  readonly operations: OperationsService;
  readonly documents: DocumentService;

  constructor(private readonly deps: ServiceDeps) {
    this.audit = new AuditService(deps.store, deps.now ?? Date.now, {
      temporal: deps.temporal,
      ...(deps.taskQueue ? { taskQueue: deps.taskQueue } : {}),
    });
    this.visits = new VisitService(deps, this.audit);
    this.imports = new ImportService(deps, this.audit);
    this.links = new LinkService(deps, this.visits);
    this.users = new UserService(deps);
    this.monitoring = new MonitoringService(deps);
    this.calendar = new CalendarService(deps, this.audit);
    this.recommendations = new RecommendationService(deps, this.visits);
    this.operations = new OperationsService(deps);
    this.documents = new DocumentService(deps, this.visits);
  }

  /** The effective policy (read when first asked: a CLI command that needs none does not fail on it). */
  get policy() {
    return this.deps.policy;
  }
}

export function createServices(deps: ServiceDeps): Services {
  return new Services(deps);
}

export type { Caller, CallerDoor, Operator, ServiceDeps } from './context';
export { AppError, ERRORS, EXIT, toAppError, type ErrorCode } from './errors';

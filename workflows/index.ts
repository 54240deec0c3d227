/** Every workflow the worker registers, by name. */
export { visitFollowUp } from './visit-follow-up';
export { secretariatDigest } from './secretariat-digest';
export { stateRegister } from './state-register';
export { auditAnchor } from './audit-anchor';

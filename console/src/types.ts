/** The API's shapes the console reads: the node's own types (type-only imports, erased from the bundle). */
export type { JobView, NodeInfo, PeerView, ReputationView, VoteView, WireMetric, WireMetrics } from '../../node/types.ts'
export type { JobEvidenceManifest as EvidenceManifest } from '../../node/evidence/evidence-store.ts'
export type { EvidenceEntry } from '../../node/measure/evidence.ts'
export type { AuditEntryView as AuditEntry } from '../../node/node-api.ts'
export type { JobEventData } from '../../node/api/event-stream.ts'
export type { OptimizerReportView } from '../../node/wiring/optimizer-report-store.ts'
export type { ReputationPoint } from '../../node/job/reputation-history.ts'
export type { ReputationHistoryAnswer } from '../../node/api/routes/reputation.ts'

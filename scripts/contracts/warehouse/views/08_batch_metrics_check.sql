-- BatchMetrics counters against the counts derived from the events of the batch (plans with that `batch_id`): multi-workflow plans (more than one workflow), their runs that were a partial success, and plans with a blocking conflict. `agrees` is false where a counter differs.
CREATE OR REPLACE VIEW batch_metrics_check AS
WITH plans AS (
    SELECT p.batch_id, p.plan_id, p.workflow_count,
           list_sum([len(s.blocking_conflicts) for s in p.stages]) > 0 AS conflicted
    FROM plan_created_v1 AS p
    WHERE p.batch_id IS NOT NULL
), derived AS (
    SELECT batch_id,
           count(DISTINCT plan_id) FILTER (WHERE workflow_count > 1) AS multi_workflow_count,
           count(DISTINCT plan_id) FILTER (WHERE workflow_count > 1 AND plan_id IN
               (SELECT plan_id FROM summary_outcomes WHERE outcome = 'partial_success')) AS partial_success_count,
           count(DISTINCT plan_id) FILTER (WHERE conflicted) AS conflict_count
    FROM plans
    GROUP BY batch_id
)
SELECT b.batch_id,
       b.multi_workflow_count, coalesce(d.multi_workflow_count, 0) AS derived_multi_workflow_count,
       b.partial_success_count, coalesce(d.partial_success_count, 0) AS derived_partial_success_count,
       b.conflict_count, coalesce(d.conflict_count, 0) AS derived_conflict_count,
       b.multi_workflow_count = coalesce(d.multi_workflow_count, 0)
           AND b.partial_success_count = coalesce(d.partial_success_count, 0)
           AND b.conflict_count = coalesce(d.conflict_count, 0) AS agrees
FROM batch_metrics_v1 AS b
LEFT JOIN derived AS d USING (batch_id)
ORDER BY b.batch_id, b.file, b.line;

-- Fails on purpose: night 2 has 5 tasks.
select * from {{ ref('passing_model') }} where tasks > 4

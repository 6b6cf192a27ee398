-- Depends on failing_model, so dbt skips it.
select * from {{ ref('failing_model') }}

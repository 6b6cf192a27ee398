select night, tasks from {{ ref('nights') }}

-- A SQL error on purpose: the table does not exist.
select * from no_such_table_anywhere

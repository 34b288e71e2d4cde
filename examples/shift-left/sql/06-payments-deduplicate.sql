-- generated: the SQL of the data portal's "Deduplicate topic" action on payments, fields order_id, product_id, amount
SET 'client.statement-name' = 'payments-deduplicate';
CREATE TABLE `payments_deduplicate` (
  PRIMARY KEY (`order_id`, `product_id`, `amount`) NOT ENFORCED
) WITH (
  'changelog.mode' = 'append'
) AS SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY `order_id`, `product_id`, `amount` ORDER BY `$rowtime` ASC) AS row_num
  FROM `payments`
) WHERE row_num = 1;

-- adapted: the walkthrough's sales statement, reading the deduplicated payments so that sales holds no duplicate payment
SET 'client.statement-name' = 'sales-materializer';
INSERT INTO sales
SELECT
  pymt.order_id,
  ord.brand,
  ord.productname,
  pymt.amount,
  pymt.confirmation_code,
  pymt.ts
FROM payments_deduplicate pymt, `orders` ord
WHERE pymt.order_id = ord.orderid
AND orderdate BETWEEN pymt.ts - INTERVAL '96' HOUR AND pymt.ts;

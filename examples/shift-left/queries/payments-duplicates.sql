SELECT * FROM
  ( SELECT order_id, amount, count(*) total
    FROM `payments`
    GROUP BY order_id, amount )
 WHERE total > 1;

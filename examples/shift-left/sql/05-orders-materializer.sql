SET 'sql.state-ttl' = '7 DAYS';
SET 'client.statement-name' = 'dp-orders-materializer';
INSERT INTO orders
SELECT
   o.orderdate,
   o.orderid,
   cu.customername,
   cu.customerid,
   p.productid,
   oi.orderitemid,
   p.brand,
   p.productname,
   p.price,
   oi.quantity,
   oi.quantity * p.price AS total_amount
FROM
   `shiftleft.public.orders` o
JOIN
   `shiftleft.public.order_items` oi ON oi.orderid = o.orderid
JOIN
   `shiftleft.public.customers` cu ON o.customerid= cu.customerid
JOIN
   `products_with_pk` FOR SYSTEM_TIME AS OF o.orderdate AS p ON p.productid = oi.productid
WHERE
   p.productname <> ''
   AND p.price > 0;

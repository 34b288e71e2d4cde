SET 'client.statement-name' = 'products-with-pk-materializer';
INSERT INTO `products_with_pk`
  SELECT
    `productid`,
     `brand`,
     `productname`,
     `category`,
     `description`,
     `color`,
     `size`,
     CAST(price AS INT) AS price,
     `__deleted`
  FROM `shiftleft.public.products`;

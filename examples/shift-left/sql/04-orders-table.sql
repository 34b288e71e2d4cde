CREATE TABLE orders (
   orderdate TIMESTAMP_LTZ(3) NOT NULL,
   orderid INT NOT NULL,
   customername STRING NOT NULL,
   customerid INT NOT NULL,
   productid INT NOT NULL,
   orderitemid INT NOT NULL,
   brand STRING NOT NULL,
   productname STRING NOT NULL,
   price INT NOT NULL,
   quantity INT NOT NULL,
   total_amount INT NOT NULL
);
ALTER TABLE `shiftleft`.`main`.`orders` MODIFY WATERMARK FOR `orderdate` AS `orderdate`;

CREATE TABLE `products_with_pk` (
   `productid` INT NOT NULL,
   `brand` VARCHAR(2147483647) NOT NULL,
   `productname` VARCHAR(2147483647) NOT NULL,
   `category` VARCHAR(2147483647) NOT NULL,
   `description` VARCHAR(2147483647),
   `color` VARCHAR(2147483647),
   `size` VARCHAR(2147483647),
   `price` INT NOT NULL,
   `__deleted` VARCHAR(2147483647),
   PRIMARY KEY (`productid`) NOT ENFORCED
);

ALTER TABLE `shiftleft`.`main`.`shiftleft.public.orders` MODIFY WATERMARK FOR `orderdate` AS `orderdate`;

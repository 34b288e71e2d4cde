-- adapted: the walkthrough's LOW_STOCK_ALERTS data product (the walkthrough shows the table, not its SQL)
CREATE TABLE low_stock_alerts (
  productid INT NOT NULL,
  productname STRING NOT NULL,
  stock INT NOT NULL,
  alert_time TIMESTAMP_LTZ(3) NOT NULL
);
SET 'client.statement-name' = 'low-stock-alerts';
INSERT INTO low_stock_alerts
SELECT productid, productname, stock, `$rowtime`
FROM `shiftleft.public.products`
WHERE stock < 10 AND `__deleted` = 'false';

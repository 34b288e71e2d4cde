CREATE TABLE sales (
  order_id INT,
  brand STRING,
  productname STRING,
  amount DOUBLE,
  confirmation_code STRING,
  ts TIMESTAMP_LTZ(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
);

CREATE TABLE incremental_revenue (
  window_start TIMESTAMP(3) NOT NULL,
  window_end TIMESTAMP(3) NOT NULL,
  total_revenue DECIMAL NOT NULL
);

fn main() {
    println!("vigil: under construction");
}
